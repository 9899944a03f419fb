export { SupportCases } from "./components/SupportCases";
