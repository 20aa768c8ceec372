// Entry point: Mantine theme (with its notifications) and TanStack Query client around the app.
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { IpcError } from "./ipc/errors";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // KV list and read calls count against account quotas: fetch on demand, not on focus.
      refetchOnWindowFocus: false,
      staleTime: 30_000,
      // Only a rate limit is worth retrying by itself; other errors are shown with a retry button.
      retry: (failures, error) =>
        error instanceof IpcError && error.code === "rateLimited" && failures < 3,
    },
  },
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <MantineProvider defaultColorScheme="auto">
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
