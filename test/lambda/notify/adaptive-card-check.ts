/**
 * Checks an Adaptive Card against Microsoft's own object model, the `adaptivecards` package
 * (the library behind the Adaptive Cards Designer), rather than a copy of the schema kept here.
 * Not a test file itself: the Teams and preview tests use it.
 *
 * Three checks, each catching what the others miss:
 * - parsing at the card's declared version reports unknown element and action types, invalid
 *   enum values, and elements or values newer than that version;
 * - `validateProperties` reports missing required properties (an OpenUrl without `url`),
 *   duplicate IDs and the like;
 * - the round trip (`toJSON` of what was parsed) drops whatever the model did not understand,
 *   so a misspelled property shows up as a difference. `msteams` is Teams' documented host
 *   extension, which the generic model does not know.
 */
// The package's `main` is ES modules with extensionless imports, which Jest's CommonJS runtime
// cannot load; its UMD bundle is the same library in one file.
jest.mock('adaptivecards', () => jest.requireActual('adaptivecards/dist/adaptivecards.js'));
import * as AC from 'adaptivecards';

const HOST_EXTENSIONS = ['msteams'];

function differences(sent: unknown, understood: unknown, path: string): string[] {
  if (Array.isArray(sent)) {
    if (!Array.isArray(understood)) return [`${path}: not understood`];
    const problems = sent.flatMap((item, i) => differences(item, understood[i], `${path}[${i}]`));
    if (understood.length !== sent.length) problems.push(`${path}: ${sent.length} items sent, ${understood.length} understood`);
    return problems;
  }
  if (typeof sent === 'object' && sent !== null) {
    if (typeof understood !== 'object' || understood === null) return [`${path}: not understood`];
    return Object.entries(sent).flatMap(([key, value]) =>
      differences(value, (understood as Record<string, unknown>)[key], path ? `${path}.${key}` : key),
    );
  }
  return sent === understood ? [] : [`${path}: sent ${JSON.stringify(sent)}, understood ${JSON.stringify(understood)}`];
}

/** Every problem Microsoft's model finds in `card`; empty when the card is valid. */
export function adaptiveCardProblems(card: unknown): string[] {
  if (typeof card !== 'object' || card === null) return ['the card is not an object'];
  const declared = (card as { version?: unknown }).version;
  const version = typeof declared === 'string' ? AC.Version.parse(declared, new AC.SerializationContext()) : undefined;
  if (!version?.isValid) return [`invalid or missing version ${JSON.stringify(declared)}`];

  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(version);
  try {
    parsed.parse(card, context);
  } catch (error) {
    // Some misplaced elements (a TextBlock among a RichTextBlock's inlines) throw instead of reporting.
    return [`parse failed: ${error instanceof Error ? error.message : String(error)}`];
  }
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i += 1) {
    const event = context.getEventAt(i);
    problems.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of parsed.validateProperties().validationEvents) problems.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);

  const portable = Object.fromEntries(Object.entries(card).filter(([key]) => !HOST_EXTENSIONS.includes(key)));
  problems.push(...differences(portable, parsed.toJSON(new AC.SerializationContext(version)), ''));
  return problems;
}
