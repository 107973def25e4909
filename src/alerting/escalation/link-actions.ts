/** What a link in a notice does: acknowledge, claim ("I'm on it": acknowledge and own), or hold the incident's notices for a while. */
export type LinkAction = 'ack' | 'claim' | 'mute';
/** Every link action, in the order notices show them (a module of its own: notify.yaml's schema needs it without the token ledger's database). */
export const LINK_ACTIONS: readonly LinkAction[] = ['ack', 'claim', 'mute'];
