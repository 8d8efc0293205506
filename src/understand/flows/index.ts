export { extractFlows } from './extract-flows.ts';
export { Flow, FlowKind, FLOW_KINDS, type FlowMention } from './types.ts';
export { mentionOccurrences } from './mentions.ts';
export { mayStateFlow, MOVEMENT_CUE } from './cue.ts';
export {
  buildFlowPrompt,
  createLlmFlowTier,
  createLruFlowCache,
  FLOW_PROMPT_VERSION,
  flowEntities,
  hashFlowRequest,
  LlmFlowAnswer,
  parseFlowAnswer,
  type FlowCache,
  type FlowEntity,
  type FlowTier,
  type LlmFlowTier,
  type LlmFlowTierOptions,
  type RefinedFlows,
} from './llm-tier.ts';
