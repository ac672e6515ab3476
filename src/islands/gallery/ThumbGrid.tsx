/**
 * The gallery grid: fixed square boxes, so thumbnails loading late never move anything.
 *
 * Thousands of images stay smooth because the grid is cut into blocks of CHUNK tiles, each its
 * own grid that the browser skips while it is off screen (`content-visibility` in
 * gallery.css). A new page of images then lays out one block, not every tile above it, and
 * a block whose images did not change is left alone. CHUNK is a multiple of every column
 * count the grid can have (2 to 6), so no block ends in a half-filled row.
 */
import { createMemo, For, Index } from 'solid-js';
import type { ImageDTO } from '../../lib/trpc.ts';
import { altText } from '../shared/image-settings.ts';

const CHUNK = 60;

export function ThumbGrid(props: { images: ImageDTO[]; onOpen: (image: ImageDTO) => void }) {
  const chunks = createMemo(() => {
    const all = props.images;
    const out: ImageDTO[][] = [];
    for (let i = 0; i < all.length; i += CHUNK) out.push(all.slice(i, i + CHUNK));
    return out;
  });
  return (
    <div class="thumb-chunks">
      <Index each={chunks()}>
        {(chunk) => (
          <ul class="thumbs">
            <For each={chunk()}>
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
        )}
      </Index>
    </div>
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
