/** Before the first generation: where results will appear, and a few prompts to start from. */
import { For } from 'solid-js';

const IDEAS = [
  'A lighthouse on a sea cliff at dawn, soft mist, warm light',
  'A cosy reading nook in a treehouse, rain outside, lamplight',
  'Isometric tiny city on a floating island, pastel colours',
  'Portrait of a red fox in a snowy forest, golden hour',
];

export function EmptyResults(props: { onPick: (prompt: string) => void }) {
  return (
    <div class="empty-results">
      <p class="empty-title">Your images will appear here.</p>
      <p class="hint">Describe a scene, pick a model and a size, then press Generate. Need a start? Try one of these:</p>
      <ul class="ideas">
        <For each={IDEAS}>
          {(idea) => (
            <li>
              <button
                type="button"
                class="idea"
                onClick={() => {
                  props.onPick(idea);
                  document.getElementById('gen-prompt')?.focus();
                }}
              >
                {idea}
              </button>
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
