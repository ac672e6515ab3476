/** The full view of one image: the picture, its prompt and every setting, and what can be done with it. */
import { Show } from 'solid-js';
import type { ImageDTO } from '../../lib/trpc.ts';
import { Modal } from '../shared/Modal.tsx';
import { altText, formatBytes, formatDateTime, settingsHref, styleLabel } from '../shared/image-settings.ts';

interface Props {
  image: ImageDTO | null;
  onClose: () => void;
  onDelete: (image: ImageDTO) => void;
}

export function ImageDialog(props: Props) {
  return (
    <Modal open={props.image !== null} onClose={props.onClose} labelledBy="image-dialog-title" class="image-dialog">
      <Show when={props.image}>
        {(image) => (
          <>
            <div class="modal-head">
              <h2 id="image-dialog-title" class="modal-title">
                Image details
              </h2>
              <button type="button" class="btn btn-ghost btn-sm close" onClick={() => props.onClose()} aria-label="Close">
                <span aria-hidden="true">✕</span>
              </button>
            </div>
            <div class="image-view">
              <div
                class="image-frame"
                style={{ 'aspect-ratio': `${image().width} / ${image().height}`, '--w': image().width, '--h': image().height }}
              >
                <img src={image().url} width={image().width} height={image().height} alt={altText(image().prompt)} decoding="async" />
              </div>
              <div class="image-info">
                <h3 class="info-label">Prompt</h3>
                <p class="prompt-text">{image().prompt}</p>
                <Show when={image().negativePrompt}>
                  {(negative) => (
                    <>
                      <h3 class="info-label">Negative prompt</h3>
                      <p class="prompt-text">{negative()}</p>
                    </>
                  )}
                </Show>
                <dl class="settings">
                  <dt>Model</dt>
                  <dd>{image().modelLabel}</dd>
                  <dt>Size</dt>
                  <dd>
                    {image().width}×{image().height}
                  </dd>
                  <dt>Style</dt>
                  <dd>{styleLabel(image().style)}</dd>
                  <dt>Seed</dt>
                  <dd>
                    <code>{image().seed}</code>
                  </dd>
                  <dt>Steps</dt>
                  <dd>{image().steps}</dd>
                  <Show when={image().guidance !== null}>
                    <dt>Guidance</dt>
                    <dd>{image().guidance}</dd>
                  </Show>
                  <dt>Created</dt>
                  <dd>
                    <time datetime={image().createdAt}>{formatDateTime(image().createdAt)}</time>
                  </dd>
                  <dt>File</dt>
                  <dd>
                    {image().mime.replace('image/', '').toUpperCase()}, {formatBytes(image().bytes)}
                  </dd>
                </dl>
                <div class="modal-actions info-actions">
                  <a class="btn btn-primary" href={settingsHref(image())}>
                    Use these settings
                  </a>
                  <a class="btn" href={image().downloadUrl} download="">
                    Download
                  </a>
                  <button type="button" class="btn danger-outline" onClick={() => props.onDelete(image())}>
                    Delete
                  </button>
                </div>
              </div>
            </div>
          </>
        )}
      </Show>
    </Modal>
  );
}
