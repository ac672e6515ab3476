/**
 * What the islands say about an image's settings: readable labels, and the `/generate`
 * link that reproduces them ("Use these settings"). The query names are the ones
 * `generator/form-values.ts` reads back.
 */
import { MODELS } from '../../../server/domain/models.ts';
import { STYLES } from '../../../server/domain/styles.ts';
import type { ImageDTO } from '../../lib/trpc.ts';

export function styleLabel(id: string): string {
  return Object.values(STYLES).find((style) => style.id === id)?.label ?? id;
}

export function modelLabel(id: string): string {
  return MODELS.find((model) => model.id === id)?.label ?? id;
}

/** The `/generate?…` URL that prefills the form with an image's settings. */
export function settingsHref(image: ImageDTO): string {
  const params = new URLSearchParams({
    prompt: image.prompt,
    model: image.model,
    width: String(image.width),
    height: String(image.height),
    style: image.style,
    seed: String(image.seed),
    steps: String(image.steps),
  });
  if (image.negativePrompt) params.set('negativePrompt', image.negativePrompt);
  if (image.guidance !== null) params.set('guidance', String(image.guidance));
  return `/generate?${params.toString()}`;
}

const sizeFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${sizeFormat.format(bytes / 1024)} KB`;
  return `${sizeFormat.format(bytes / (1024 * 1024))} MB`;
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** A short alternative text for an image: its prompt, cut at a word boundary. */
export function altText(prompt: string, max = 120): string {
  if (prompt.length <= max) return prompt;
  const cut = prompt.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > 60 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
