import { Words } from '../components/Words';

/** The words under a field that was refused (by the form's check or by the API). */
export function FieldError({ text, testId }: { text: string | null | undefined; testId?: string }) {
  if (!text) return null;
  return (
    <span className="field-error" role="alert" data-testid={testId}>
      <Words text={text} />
    </span>
  );
}
