/** Times on the owner's pages: an ISO time to the second, as "2025-01-02 03:04:05Z". */
export function when(iso: string | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
}
