/**
 * Names people type are compared in one form. The rules for typing them (usernames,
 * display names, group and key names, passwords) are part of the wire contract and live
 * with the portal's request schemas; they are re-exported here for the CLI.
 */
export {
  descriptionSchema,
  displayNameSchema,
  groupNameSchema,
  keyNameSchema,
  passwordSchema,
  usernameSchema
} from '#protocol/portal/fields';

/** The form two names are compared in: "Ｌｉｌｙ", "lily" and "LILY" are one account. */
export function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
