/**
 * Model names and credentials as the fuzzer draws them. Most names reach the seeded
 * model (so requests get past lookup into the handler); the rest are hostile.
 */
import fc from 'fast-check';
import { traversalName, unicodeString, weird } from './values';

/** A name that resolves to the seeded stories260K model. */
export const storiesName = fc.constantFrom(
  'stories',
  'stories:latest',
  'library/stories',
  'registry.ollama.ai/library/stories:latest',
  'STORIES',
  ' stories '
);

/** Names for lookups: mostly the real model, sometimes missing or hostile. */
export const lookupName: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: storiesName, weight: 8 },
  { arbitrary: fc.constantFrom('missing', 'missing:tag', 'ns/missing:v1'), weight: 1 },
  { arbitrary: traversalName, weight: 2 },
  { arbitrary: unicodeString, weight: 1 }
);

/** Names for models the fuzzer may write (copy/create/pull destinations). */
export const targetName: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom('fuzz', 'ns/fuzz', 'example.com/ns/fuzz', 'host:1/ns/fuzz'),
        fc.nat(99)
      )
      .map(([base, n]) => `${base}${n}`),
    weight: 3
  },
  { arbitrary: traversalName, weight: 4 },
  { arbitrary: unicodeString, weight: 1 },
  {
    arbitrary: fc.constantFrom(
      'x:' + 't'.repeat(81),
      'a'.repeat(81),
      'h/'.repeat(5) + 'm',
      'a:b:c'
    ),
    weight: 1
  }
);

/** Any value for a name field: usually a name, sometimes the wrong type altogether. */
export const anyName = (names: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: names, weight: 5 }, { arbitrary: weird, weight: 1 });

/** Which credentials a request carries on a server with sign-in on (see credentialHeaders). */
export const credential = fc.oneof(
  { arbitrary: fc.constant('adminKey'), weight: 6 },
  { arbitrary: fc.constant('adminSession'), weight: 2 },
  { arbitrary: fc.constantFrom('none', 'sessionWithoutCsrf', 'badKey', 'malformed'), weight: 2 }
);
