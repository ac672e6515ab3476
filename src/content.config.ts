/**
 * Content collections. `legal` holds the privacy policy, terms and cookie policy as Markdown
 * under content/legal/, rendered by src/pages/[legal].astro.
 * @see https://docs.astro.build/en/guides/content-collections/
 */
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const legal = defineCollection({
  loader: glob({ pattern: '*.md', base: './content/legal' }),
  schema: z.object({
    title: z.string().min(1),
    description: z.string().min(1).max(200),
    /** The day the current text took effect. */
    effective: z.coerce.date(),
    /** The day the text last changed. */
    updated: z.coerce.date(),
  }),
});

export const collections = { legal };
