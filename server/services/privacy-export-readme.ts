/** The README.txt at the top of every data download: what each file holds, in plain words. */
export function exportReadme(options: { exportedAt: Date; contactEmail: string; ttlDays: number }): string {
  return `Your Artivio data
=================

This archive holds everything Artivio keeps about your account, as it was on
${options.exportedAt.toISOString()} (UTC).

account.json    Your account: id, email address, display name, plan, whether you
                receive marketing email, and when the account was created and changed.
images.json     Every image you generated: prompt, negative prompt, model, width and
                height, seed, steps, guidance, style, file type, size and creation time,
                with the name of its file in this archive ("file"; null if the original
                could not be found in storage).
images/         The original image files, byte for byte as we store them, named by
                image id.
usage.json      How many images you generated in each calendar month (UTC).
billing.json    Your plan and subscription status with the references our payment
                processor gave us. Card and bank details are never stored by Artivio.
consents.json   The cookie choices you made while signed in: categories, the policy
                version you answered and when.

All times are ISO 8601 in UTC. The link to this archive stops working ${options.ttlDays} days
after it was made, and the archive is then deleted from our storage.

Questions or requests: ${options.contactEmail}
`;
}
