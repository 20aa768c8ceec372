// Asks the core to stop a running operation by the operationId the UI gave it.
import { useMutation } from "@tanstack/react-query";
import { cancelOperation } from "../ipc/commands";

export function useCancelOperation() {
  return useMutation({ mutationFn: (operationId: string) => cancelOperation({ operationId }) });
}
