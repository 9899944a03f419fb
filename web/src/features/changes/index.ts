// The change screen is loaded on its own when a traveler opens it (App.tsx keeps the first load small).
export { default as ChangeFlight } from "./components/ChangeFlight";
// A change waiting at the traveler's bank, on the trip page (loaded with the change screen).
export { default as ChangeBankNotice } from "./components/ChangeBankNotice";
