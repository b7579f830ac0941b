import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";

describe("ConfirmDialog", () => {
  it("moves focus into the dialog, closes on Escape and gives focus back to the trigger", async () => {
    const onConfirm = vi.fn();
    render(<ConfirmDialog trigger={<Button>Cancel order</Button>} title="Cancel this order?" description="Sure?" confirmLabel="Yes, cancel" onConfirm={onConfirm} />);
    const trigger = screen.getByRole("button", { name: "Cancel order" });
    await userEvent.click(trigger);
    const dialog = await screen.findByRole("alertdialog", { name: "Cancel this order?" });
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(trigger).toHaveFocus();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("runs the action and closes", async () => {
    const onConfirm = vi.fn().mockResolvedValue(undefined);
    render(<ConfirmDialog trigger={<Button>Deactivate</Button>} title="Deactivate?" description="Sure?" confirmLabel="Deactivate now" destructive onConfirm={onConfirm} />);
    await userEvent.click(screen.getByRole("button", { name: "Deactivate" }));
    await userEvent.click(await screen.findByRole("button", { name: "Deactivate now" }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
  });
});
