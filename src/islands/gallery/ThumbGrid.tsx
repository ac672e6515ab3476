/** The gallery grid: fixed square boxes, so thumbnails loading late never move anything. */
import { For } from 'solid-js';
import type { ImageDTO } from '../../lib/trpc.ts';
import { altText } from '../shared/image-settings.ts';

export function ThumbGrid(props: { images: ImageDTO[]; onOpen: (image: ImageDTO) => void }) {
  return (
    <ul class="thumbs">
      <For each={props.images}>
        {(image) => (
          <li>
            <button type="button" class="thumb" data-image-id={image.id} onClick={() => props.onOpen(image)}>
              <img
                src={image.thumbnailUrl}
                width={image.width}
                height={image.height}
                loading="lazy"
                decoding="async"
                alt={altText(image.prompt, 90)}
              />
            </button>
          </li>
        )}
      </For>
    </ul>
  );
}

/** Placeholder boxes the size of real thumbnails, shown while the first page loads. */
export function ThumbSkeleton(props: { count: number }) {
  return (
    <ul class="thumbs" aria-hidden="true">
      <For each={Array.from({ length: props.count }, (_, i) => i)}>
        {() => (
          <li>
            <div class="thumb thumb-skeleton" />
          </li>
        )}
      </For>
    </ul>
  );
}
