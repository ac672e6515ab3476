/** What shows while images are being made: elapsed seconds and placeholder tiles of the requested shape. */
import { createSignal, For, onCleanup, onMount } from 'solid-js';

export function ProgressTiles(props: { count: number; width: number; height: number }) {
  const [seconds, setSeconds] = createSignal(0);
  onMount(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 1000);
    onCleanup(() => clearInterval(timer));
  });

  const noun = () => (props.count === 1 ? 'image' : `${props.count} images`);

  return (
    <div class="progress">
      <p class="progress-text">
        <span class="spinner" aria-hidden="true" />
        <span role="status">Making your {noun()}…</span>
        <span class="elapsed" aria-hidden="true">
          {seconds()} s
        </span>
      </p>
      <div class="tiles" data-count={props.count}>
        <For each={Array.from({ length: props.count }, (_, i) => i)}>
          {() => <div class="tile placeholder" style={{ 'aspect-ratio': `${props.width} / ${props.height}` }} />}
        </For>
      </div>
    </div>
  );
}
