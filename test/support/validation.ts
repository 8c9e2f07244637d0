/** The assertion every "fails at synth when …" test makes. */
import { SwitchbackValidationError } from '../../constructs/internal/validation';

/** Runs `define` and expects a validation error naming `constructPath`, `prop` and matching `message`. */
export function expectValidationError(
  define: () => unknown,
  constructPath: string,
  prop: string,
  message: RegExp,
): void {
  let error: unknown;
  try {
    define();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(SwitchbackValidationError);
  const validationError = error as SwitchbackValidationError;
  expect(validationError.prop).toBe(prop);
  expect(validationError.constructPath).toBe(constructPath);
  expect(validationError.message).toContain(`${constructPath}: invalid prop '${prop}'`);
  expect(validationError.message).toMatch(message);
}
