export { SearchForm } from "./components/SearchForm";
export { type Draft, forgetDraft, rememberDraft, resumedDraft } from "./draft";
export { useSearchWasSent, useSendSearch } from "./hooks/useSendSearch";
export { emptyForm, fromParams, searchFieldFor, searchLine, searchProblem, toParams, toRequest } from "./model";
export type { SearchForm as SearchFormModel, SearchPreferences, Trip } from "./model";
