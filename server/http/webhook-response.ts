/** JSON answers for webhook routes. Providers read only the status; the body helps whoever debugs. */
export function webhookResponse(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
