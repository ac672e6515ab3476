/** The steps of an export or a deletion, with what is done and what is still to come. */
import '../../styles/privacy-center.css';
import { For } from 'solid-js';
import type { StepView } from '../../../server/trpc/privacy-dto.ts';

interface Props {
  steps: StepView[];
  labels: Record<string, string>;
  /** Shown after the label of a finished step that has a count, e.g. "3 removed". */
  countLabel?: (step: StepView) => string | null;
}

const STATUS_TEXT: Record<StepView['status'], string> = { done: 'done', failed: 'failed, will be retried', waiting: 'to do' };

export function StepList(props: Props) {
  return (
    <ol class="pc-steps">
      <For each={props.steps}>
        {(step) => {
          const extra = () => (step.status === 'done' && props.countLabel ? props.countLabel(step) : null);
          return (
            <li data-status={step.status}>
              <span class="pc-step-mark" aria-hidden="true">
                {step.status === 'done' ? '✓' : step.status === 'failed' ? '!' : '•'}
              </span>
              <span>
                {props.labels[step.id] ?? step.id}
                {extra() ? <span class="muted"> · {extra()}</span> : null}
                <span class="visually-hidden"> ({STATUS_TEXT[step.status]})</span>
              </span>
            </li>
          );
        }}
      </For>
    </ol>
  );
}
