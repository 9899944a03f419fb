import { useNavigate } from "react-router";

import { emptyForm, SearchForm, toParams } from "../features/search";

export function HomePage() {
  const navigate = useNavigate();
  return (
    <div className="home">
      <h1>Where to next?</h1>
      <SearchForm initial={emptyForm()} onSearch={(form) => void navigate(`/results?${toParams(form)}`)} />
    </div>
  );
}
