import "./app/styles.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./app/App";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

// The shell opens offline once it has been seen (public/sw.js); never in `vite dev`. Registered
// once the page has loaded: installing fetches and caches the shell, which the first screen (a
// search's results, often) should not wait behind.
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch((error: unknown) => {
      console.warn("the offline shell is unavailable:", error);
    });
  });
}
