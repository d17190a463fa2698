// A candidate replacement for Modal.tsx built on React Aria's ModalOverlay/Modal/Dialog, with the same props:
// focus moves into the dialog when it opens and stays inside it (Tab and Shift+Tab go round), Escape or a
// click outside closes it, the page behind is hidden from screen readers, and focus returns to the control
// that opened it.
import "./DialogModal.css";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Dialog, Heading, Modal, ModalOverlay } from "react-aria-components";

export function DialogModal(props: { title: string; onClose: () => void; children: ReactNode; testId?: string; tone?: "danger" | "normal" }) {
  const { i18n } = useTranslation();
  return (
    // The overlay is drawn at the end of <body>, outside the app's element that carries its language: it
    // carries it again, for fonts (:lang(zh)) and screen readers.
    <ModalOverlay className="modal-backdrop" isOpen isDismissable onOpenChange={(open) => !open && props.onClose()} lang={i18n.language}>
      <Modal className={`modal ${props.tone === "danger" ? "modal-danger" : ""}`}>
        <Dialog className="modal-dialog" data-testid={props.testId}>
          <Heading slot="title" className="modal-title">
            {props.title}
          </Heading>
          {props.children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
