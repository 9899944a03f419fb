// The change screen is loaded on its own when a traveler opens it (App.tsx keeps the first load small).
export { default as ChangeFlight } from "./components/ChangeFlight";
