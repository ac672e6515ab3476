/** What the generator's field groups get from the form: live values and errors, a setter, and the busy state. */
import type { FieldErrors, FormValues } from './form-values.ts';

export interface FormBinding {
  /** A Solid store: reading a property tracks it. */
  values: FormValues;
  errors: FieldErrors;
  set: <K extends keyof FormValues>(key: K, value: FormValues[K]) => void;
  busy: () => boolean;
}
