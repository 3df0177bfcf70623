/**
 * The WebRTC signalling extension of MDN's "Signaling and video calling"
 * sample: messages one client sends another through the chat server, which
 * relays each to the client named in `target`. It shares every chat message.
 *
 * This file is the generator's input: `npm run gen` compiles it to
 * `schema/signaling.schema.json` and `src/generated/signaling.ts`.
 *
 * @module
 */
import type { AssignedName, ClientMessage, ServerMessage } from "./chat.ts";

/** An SDP offer or answer, as `RTCSessionDescription.toJSON()` gives it. */
export interface SessionDescription {
  /** What the description is: `RTCSdpType`. */
  type: "offer" | "answer" | "pranswer" | "rollback";
  /**
   * The SDP text; a rollback has none.
   *
   * @maxLength 262144
   */
  sdp?: string;
}

/**
 * The index of a media section (an `m=` line) in an SDP description.
 *
 * @asType integer
 * @minimum 0
 * @maximum 65535
 */
export type MediaLineIndex = number;

/** An ICE candidate, as `RTCIceCandidate.toJSON()` gives it; fields the browser does not know are `null`. */
export interface IceCandidate {
  /**
   * The candidate line; empty for the end-of-candidates marker.
   *
   * @maxLength 4096
   */
  candidate: string;
  /**
   * The media stream identification tag of the candidate's media section.
   *
   * @maxLength 256
   */
  sdpMid: string | null;
  /** The index of the candidate's media section in the SDP. */
  sdpMLineIndex: MediaLineIndex | null;
  /**
   * The ICE username fragment; older browsers leave it out.
   *
   * @maxLength 256
   */
  usernameFragment?: string | null;
}

/** A caller's offer to start a call with `target`. */
export interface VideoOfferMessage {
  type: "video-offer";
  /** The caller's name. */
  name: AssignedName;
  /** The callee's name: the server relays the offer to that client only. */
  target: AssignedName;
  /** The caller's SDP offer. */
  sdp: SessionDescription;
}

/** The callee's answer to an offer. */
export interface VideoAnswerMessage {
  type: "video-answer";
  /** The callee's name. */
  name: AssignedName;
  /** The caller's name: the server relays the answer to that client only. */
  target: AssignedName;
  /** The callee's SDP answer. */
  sdp: SessionDescription;
}

/** An ICE candidate for the peer named in `target`. */
export interface NewIceCandidateMessage {
  type: "new-ice-candidate";
  /** The peer's name: the server relays the candidate to that client only. */
  target: AssignedName;
  /** The candidate. */
  candidate: IceCandidate;
}

/** Ends the call with `target`. */
export interface HangUpMessage {
  type: "hang-up";
  /** The name of the peer hanging up. */
  name: AssignedName;
  /** The other peer's name: the server relays the hang-up to that client only. */
  target: AssignedName;
}

/** A signalling message; the server relays it unchanged to its `target`. */
export type SignalingMessage =
  | VideoOfferMessage
  | VideoAnswerMessage
  | NewIceCandidateMessage
  | HangUpMessage;

/** Every message a server sends: the chat messages and the relayed signalling messages. */
export type SignalingServerMessage = ServerMessage | SignalingMessage;

/** Every message a client sends: the chat messages and signalling messages for a peer. */
export type SignalingClientMessage = ClientMessage | SignalingMessage;
