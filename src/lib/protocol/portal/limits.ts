/** Password length rules: the server enforces them, forms check them before sending. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
