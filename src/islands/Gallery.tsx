/**
 * The gallery island on /gallery: the person's own images, newest first, a page at a time
 * ("Load more", or automatically near the end of the list), a full view with every setting,
 * download, delete with confirmation and "Use these settings". `?image=<id>` opens that
 * image's full view directly.
 */
import '../styles/gallery.css';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { announceUsageChanged, redirectToSignIn, toClientError, trpc, type ImageDTO } from '../lib/trpc.ts';
import { ConfirmDialog } from './gallery/ConfirmDialog.tsx';
import { ImageDialog } from './gallery/ImageDialog.tsx';
import { ThumbGrid, ThumbSkeleton } from './gallery/ThumbGrid.tsx';

interface Props {
  /** The `image` query parameter, read on the server. */
  initialImageId: string | null;
}

const PAGE_SIZE = 24;

/** Keeps `?image=` in the address bar in step with the open image, so the view can be shared or reloaded. */
function syncImageParam(id: string | null): void {
  const url = new URL(window.location.href);
  if (id) url.searchParams.set('image', id);
  else url.searchParams.delete('image');
  history.replaceState(history.state, '', url);
}

export default function Gallery(props: Props) {
  const [images, setImages] = createSignal<ImageDTO[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal(false);
  const [loading, setLoading] = createSignal(false);
  const [listError, setListError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const [selected, setSelected] = createSignal<ImageDTO | null>(null);
  const [confirming, setConfirming] = createSignal<ImageDTO | null>(null);
  const [deleting, setDeleting] = createSignal(false);
  const [deleteError, setDeleteError] = createSignal<string | null>(null);
  const [announcement, setAnnouncement] = createSignal('');
  let sentinel!: HTMLDivElement;
  let observer: IntersectionObserver | undefined;

  const hasMore = () => loaded() && cursor() !== null;

  const loadPage = async () => {
    if (loading() || (loaded() && cursor() === null)) return;
    setLoading(true);
    setListError(null);
    try {
      const page = await trpc.gallery.list.query({ cursor: cursor(), limit: PAGE_SIZE });
      const known = new Set(images().map((image) => image.id));
      setImages([...images(), ...page.items.filter((image) => !known.has(image.id))]);
      setCursor(page.nextCursor);
      setLoaded(true);
      // Observe afresh: if the end of the grid is still in reach (a tall screen), the callback fires again.
      if (observer) {
        observer.unobserve(sentinel);
        observer.observe(sentinel);
      }
    } catch (error) {
      const problem = toClientError(error);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      setListError(problem.message);
    } finally {
      setLoading(false);
    }
  };

  /** "Load more" pressed: when that was the last page the button goes away, so focus moves to the first new image. */
  const loadMoreByHand = async () => {
    const before = images().length;
    await loadPage();
    const first = images()[before];
    if (!hasMore() && first) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-image-id="${CSS.escape(first.id)}"]`)?.focus());
    }
  };

  const open = (image: ImageDTO) => {
    setSelected(image);
    syncImageParam(image.id);
  };

  const close = () => {
    setSelected(null);
    syncImageParam(null);
  };

  const openById = async (id: string) => {
    try {
      open(await trpc.gallery.get.query({ id }));
    } catch (error) {
      const problem = toClientError(error);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      syncImageParam(null);
      setNotice(problem.message);
    }
  };

  const confirmDelete = async () => {
    const image = confirming();
    if (!image) return;
    setDeleting(true);
    setDeleteError(null);
    try {
      await trpc.gallery.delete.mutate({ id: image.id });
    } catch (error) {
      const problem = toClientError(error);
      if (problem.code === 'UNAUTHORIZED') return redirectToSignIn();
      // Already gone is what the person wanted; anything else stays open with the reason.
      if (problem.code !== 'NOT_FOUND') {
        setDeleteError(problem.message);
        setDeleting(false);
        return;
      }
    }
    const index = images().findIndex((item) => item.id === image.id);
    const remaining = images().filter((item) => item.id !== image.id);
    setImages(remaining);
    setDeleting(false);
    setConfirming(null);
    close();
    setAnnouncement('Image deleted.');
    announceUsageChanged();
    // Focus the image that took its place, or the way forward when the gallery is now empty.
    requestAnimationFrame(() => {
      const next = remaining[Math.min(index, remaining.length - 1)];
      const target = next
        ? document.querySelector<HTMLElement>(`[data-image-id="${CSS.escape(next.id)}"]`)
        : document.getElementById('gallery-empty-link');
      target?.focus();
    });
  };

  onMount(() => {
    void loadPage();
    if (props.initialImageId) void openById(props.initialImageId);

    // Load the next page when the end of the grid comes near. "Load more" stays for keyboards and old browsers.
    if ('IntersectionObserver' in window) {
      observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting) && hasMore() && !listError()) void loadPage();
        },
        { rootMargin: '600px 0px' },
      );
      observer.observe(sentinel);
      onCleanup(() => observer?.disconnect());
    }
  });

  return (
    <div class="gallery">
      <p class="visually-hidden" aria-live="polite">
        {announcement()}
      </p>
      <Show when={notice()}>
        <p class="notice notice-warning gallery-notice" role="status">
          {notice()}
        </p>
      </Show>

      <Show
        when={loaded()}
        fallback={
          <Show when={!listError()}>
            <ThumbSkeleton count={8} />
          </Show>
        }
      >
        <Show
          when={images().length > 0}
          fallback={
            <div class="gallery-empty">
              <p class="empty-title">No images yet.</p>
              <p class="muted">Everything you generate is kept here, private to you, until you delete it.</p>
              <a id="gallery-empty-link" class="btn btn-primary" href="/generate">
                Generate your first image
              </a>
            </div>
          }
        >
          <ThumbGrid images={images()} onOpen={open} />
        </Show>
      </Show>

      <div ref={sentinel} class="gallery-more">
        <Show when={listError()}>
          <div role="alert" class="notice notice-error more-error">
            {listError()}{' '}
            <button type="button" class="btn btn-sm" onClick={() => void loadPage()}>
              Try again
            </button>
          </div>
        </Show>
        <Show when={hasMore() && !listError()}>
          <button type="button" class="btn" onClick={() => void loadMoreByHand()} disabled={loading()}>
            {loading() ? 'Loading…' : 'Load more'}
          </button>
        </Show>
      </div>

      <ImageDialog
        image={selected()}
        onClose={close}
        onDelete={(image) => {
          setDeleteError(null);
          setConfirming(image);
        }}
      />
      <ConfirmDialog
        open={confirming() !== null}
        title="Delete this image?"
        confirmLabel="Delete image"
        busyLabel="Deleting…"
        busy={deleting()}
        error={deleteError()}
        onConfirm={() => void confirmDelete()}
        onCancel={() => {
          if (!deleting()) setConfirming(null);
        }}
      >
        <p>The image, its thumbnail and its settings are removed for good. This cannot be undone.</p>
        <p class="muted">Deleting does not change how many images you have used this month.</p>
      </ConfirmDialog>
    </div>
  );
}
