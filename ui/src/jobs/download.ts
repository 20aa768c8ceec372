// Saving text the app produced (the audit CSV) as a file through the webview's download.

/** "cachescope-audit-20260101-020304.csv" for a moment. */
export function auditFileName(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `cachescope-audit-${stamp}.csv`;
}

/** Offers `text` as a download named `fileName`. */
export function downloadText(text: string, fileName: string, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.style.display = "none";
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the webview time to start the download before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
