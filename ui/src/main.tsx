// First: the first screen's requests leave as the script begins to run (startupRequests.ts).
import { firstScreenReady } from "./startupRequests";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./styles.css";
import { mark } from "./startup";

mark("script");

void firstScreenReady.then(() => {
  mark("catalog");
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
