/** Privacy requests as the account page sees them: no storage keys, no lease details, no owner. */
import type { PrivacyRequest } from '../ports.ts';
import { EXPORT_STEPS } from '../services/privacy-export.ts';
import { DELETION_STEPS } from '../services/privacy-deletion.ts';

export interface StepView {
  id: string;
  status: 'done' | 'failed' | 'waiting';
  count: number | null;
  at: string | null;
}

/** `retrying`: the last attempt failed and the job waits for its next turn. */
export type RequestState = 'queued' | 'running' | 'retrying' | 'done' | 'failed' | 'expired';

function steps(request: PrivacyRequest, ids: readonly string[]): StepView[] {
  return ids.map((id) => {
    const step = request.steps[id];
    return { id, status: step?.status ?? 'waiting', count: step?.count ?? null, at: step?.at ?? null };
  });
}

function state(request: PrivacyRequest, now: Date): RequestState {
  if (request.status === 'pending') return 'queued';
  if (request.status === 'running') return request.leaseOwner === null && request.lastError ? 'retrying' : 'running';
  if (request.status === 'done' && request.kind === 'export' && (!request.artifactKey || (request.expiresAt !== null && request.expiresAt <= now.toISOString()))) return 'expired';
  return request.status;
}

export function toExportView(request: PrivacyRequest, now = new Date()) {
  const current = state(request, now);
  return {
    id: request.id,
    state: current,
    steps: steps(request, EXPORT_STEPS),
    createdAt: request.createdAt,
    finishedAt: request.finishedAt,
    expiresAt: request.expiresAt,
    bytes: request.artifactBytes,
    downloadUrl: current === 'done' ? `/api/privacy/export/${encodeURIComponent(request.id)}` : null,
    message: request.lastError,
  };
}

export function toReceiptView(request: PrivacyRequest, now = new Date()) {
  return {
    id: request.id,
    state: state(request, now),
    steps: steps(request, DELETION_STEPS),
    attempts: request.attempts,
    createdAt: request.createdAt,
    finishedAt: request.finishedAt,
  };
}

export type ExportView = ReturnType<typeof toExportView>;
export type ReceiptView = ReturnType<typeof toReceiptView>;
