// Whether the UI runs inside the Cachescope desktop shell (as opposed to a plain browser with
// `npm run dev`), where no command or event exists.

export function insideDesktopApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
