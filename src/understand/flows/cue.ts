/**
 * Words that hint a post may describe movement between tools ("switched", "cancelled", "went back",
 * "alongside", "->"). Broader than the extractor's rules on purpose: it says which posts are worth
 * reading for a flow, not what the flow is. It drew the cued half of the labelled sample
 * (labels/flows/sample.json, field `cue`; scripts/flows/sample-flows.ts), and it chooses the posts
 * the optional LLM flow tier is asked about. Changing it changes both: a redraw of the sample would
 * no longer reproduce, and the tier would be asked about other posts.
 */
export const MOVEMENT_CUE =
  /\b(switch(ed|ing|es)?|mov(e|ed|ing) (from|to|over|back|away)|migrat\w*|cancel+(ed|ing)?|unsubscrib\w*|replac(e|ed|ing)|went back|going back|back to|came back|instead of|alongside|in addition to|drop(ped|ping)?|ditch(ed|ing)?|jump(ed)? ship|gave up on|stopped using|no longer us\w+|now us\w+|started using|over to|ported|churn\w*|left)\b|->|→/i;

/**
 * Whether the LLM flow tier is asked about a post: it names at least one tracked entity, and the
 * rules found a flow in it or its text carries a movement cue. The rest cannot hold a flow the
 * rules would miss often enough to spend the daily budget on.
 */
export function mayStateFlow(text: string, linkedEntities: number, rulesFlows: number): boolean {
  return linkedEntities > 0 && (rulesFlows > 0 || MOVEMENT_CUE.test(text));
}
