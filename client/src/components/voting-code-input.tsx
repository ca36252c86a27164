/**
 * The field where a voter types the code from their slip: 16 letters and digits, grouped with
 * dashes or not, any case; no autocomplete, no spell check, capitals on a phone's keyboard.
 * Used to check in, to sign a self-evaluation after a reload, to read one's comments, and (optional
 * there, `required={false}`) to object to a published result as a member of the meeting.
 */
export function VotingCodeInput(props: {
  id: string;
  value: string;
  onInput: (value: string) => void;
  describedBy: string;
  ref?: (element: HTMLInputElement) => void;
  name?: string;
  enterkeyhint?: 'go' | 'done';
  /** Whether the form needs a code (the default); the board's objection form does not. */
  required?: boolean;
}) {
  return (
    <input
      id={props.id}
      ref={props.ref}
      class="code-input mono"
      name={props.name}
      type="text"
      required={props.required ?? true}
      maxlength={40}
      autocomplete="off"
      autocapitalize="characters"
      spellcheck={false}
      enterkeyhint={props.enterkeyhint}
      placeholder="XXXX-XXXX-XXXX-XXXX"
      aria-describedby={props.describedBy}
      value={props.value}
      onInput={(event) => props.onInput(event.currentTarget.value)}
    />
  );
}
