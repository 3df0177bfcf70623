/**
 * The runtime surface that generated modules import: results, validation
 * helpers, the decode and encode skeletons, guards, dispatch and the protocol
 * descriptor. It is small and stable on purpose; it compiles nothing at run time.
 * Decoders, encoders and guards never throw; a message of a recursive type
 * nested more than {@link MAX_DEPTH} (256) levels deep is refused as `invalid`.
 *
 * @example Decoding with a generated module
 * ```ts
 * import { decodeServerMessage } from "../generated/chat.ts";
 * import type { DecodeResult } from "./mod.ts";
 * import type { ServerMessage } from "../generated/chat.ts";
 * const result: DecodeResult<ServerMessage> = decodeServerMessage('{"type":"id","id":1}');
 * ```
 *
 * @module
 */
export type {
  DecodeError,
  DecodeResult,
  EncodeError,
  EncodeResult,
  InvalidMessageError,
  Issue,
  NotJsonError,
  NotObjectError,
  UnknownTypeError,
} from "./result.ts";
export { describeValue, escapePointerSegment, issueAt, issueWithin, unknownPropertyIssue } from "./issue.ts";
export { codePointLength, lengthOutside } from "./length.ts";
export { type DirectionCheck, type Fields, isFields, UNKNOWN_TYPE } from "./fields.ts";
export { decodeWith, invalidMessage, notObject, unknownType } from "./decode.ts";
export { encodeWith, pickList } from "./encode.ts";
export { guardWith } from "./guard.ts";
export { MAX_DEPTH, nestingIssue } from "./depth.ts";
export type { Handlers, MessageOf, PartialHandlers, TagOf } from "./dispatch.ts";
export type {
  ClientMessageOf,
  ClientProtocol,
  Direction,
  Protocol,
  RequestSpec,
  RequestTable,
  ServerMessageOf,
} from "./protocol.ts";
export type {
  AnswerOf,
  AnswerTag,
  AnyErrorAnswer,
  AnyRequest,
  ClientRequests,
  DiscriminatorOf,
  ErrorReplyOf,
  HandlerAnswer,
  HandlerResult,
  HandlerTable,
  NoRequests,
  OutgoingRequest,
  ReplyOf,
  RequestMessage,
  RequestTag,
  ServerRequests,
} from "./requests.ts";
export {
  isRequestError,
  ReplyError,
  RequestError,
  type RequestFailure,
  type TypedRequestError,
} from "./request_errors.ts";
export type { RequestOptions } from "./pending_requests.ts";
export {
  type EngineClient,
  type EngineOptions,
  type EnginePort,
  type RequestEngine,
  requestEngine,
  type RequestEngineFactory,
} from "./request_engine.ts";
export { type ResumeEngine, resumeEngine, type ResumeEngineFactory, type ResumeSpec } from "./resume_engine.ts";
export {
  encodeResumed,
  formatToken,
  MAX_POSITION_LENGTH,
  MAX_RESUMABLE_TOPIC_LENGTH,
  MAX_RESUME_PARAM_LENGTH,
  MAX_RESUME_TOPICS,
  MAX_RESUME_URL_LENGTH,
  MAX_RESUMED_MESSAGE_LENGTH,
  MAX_TOKEN_LENGTH,
  parseResumed,
  parseResumeParam,
  parseToken,
  RESUME_PARAM,
  RESUMED_TYPE,
  type ResumedNotice,
  type ResumeFailure,
} from "./resume_tokens.ts";
