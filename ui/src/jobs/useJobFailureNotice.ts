// While the Jobs screen is open: a notification for every scheduled run that fails (the shell
// also shows a desktop notification, for when the window is not in view).
import { notifications } from "@mantine/notifications";
import { useCoreEventListener } from "../events/useCoreEventListener";
import { failureNotice } from "./notices";

export function useJobFailureNotice() {
  useCoreEventListener((event) => {
    const notice = failureNotice(event);
    if (notice === null) return;
    notifications.show({ ...notice, color: "red", autoClose: 15_000 });
  });
}
