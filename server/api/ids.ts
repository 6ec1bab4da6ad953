/**
 * Ids and counts that arrive as text in a URL path or query string. The rules live with
 * the portal's request schemas (the audit listing's query is declared there too); the
 * routes keep importing them from here.
 */
export { countText, idText, parseDecimal, parseId } from '#protocol/portal/decimal';
