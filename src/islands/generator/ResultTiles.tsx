/** The images a generation returned: each with its seed, a download link and a link into the gallery. */
import { For, Show } from 'solid-js';
import type { ImageDTO } from '../../lib/trpc.ts';
import { altText } from '../shared/image-settings.ts';

export function ResultTiles(props: { images: ImageDTO[]; canReuseSeed: (image: ImageDTO) => boolean; onReuseSeed: (seed: number) => void }) {
  return (
    <div class="tiles" data-count={props.images.length}>
      <For each={props.images}>
        {(image) => (
          <figure class="tile result">
            <div class="result-image" style={{ 'aspect-ratio': `${image.width} / ${image.height}` }}>
              <img src={image.url} width={image.width} height={image.height} alt={altText(image.prompt)} decoding="async" />
            </div>
            <figcaption class="result-bar">
              <span class="seed">
                Seed <code>{image.seed}</code>
                <Show when={props.canReuseSeed(image)}>
                  {' '}
                  <button type="button" class="reuse" onClick={() => props.onReuseSeed(image.seed)}>
                    Reuse<span class="visually-hidden"> seed {image.seed}</span>
                  </button>
                </Show>
              </span>
              <span class="result-actions">
                <a class="btn btn-sm" href={image.downloadUrl} download="">
                  Download
                </a>
                <a class="btn btn-sm" href={`/gallery?image=${encodeURIComponent(image.id)}`}>
                  Open in gallery
                </a>
              </span>
            </figcaption>
          </figure>
        )}
      </For>
    </div>
  );
}
