interface Props {
  /** The infant's place in the list: names the control (`p<index>-held_by`). */
  index: number;
  /** The adults to choose from (model `lapHolders`). */
  adults: { index: number; name: string }[];
  heldBy: number | null;
  onChoose: (adult: number) => void;
}

/** Whose lap an infant flies on, where there is more than one adult to choose from; choosing an
 * adult who holds another infant gives that infant the lap this one leaves. */
export function LapChoice({ index, adults, heldBy, onChoose }: Props) {
  if (adults.length < 2) return null;
  const id = `p${index}-held_by`;
  return (
    <div className="field">
      <label htmlFor={id}>On whose lap</label>
      <p id={`${id}-hint`} className="meta hint">
        Airlines seat each infant on one adult’s lap, one infant per adult.
      </p>
      <select
        id={id}
        name={id}
        required
        aria-describedby={`${id}-hint`}
        value={heldBy ?? ""}
        onChange={(event) => onChoose(Number(event.target.value))}
      >
        {heldBy === null && <option value="">Choose…</option>}
        {adults.map((adult) => (
          <option key={adult.index} value={adult.index}>
            {adult.name}
          </option>
        ))}
      </select>
    </div>
  );
}
