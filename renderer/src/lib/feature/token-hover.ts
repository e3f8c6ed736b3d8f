/** What the token tooltip shows: the hovered token of an example and where it sits on screen. */
export interface TokenHover {
  token: string;
  act: number;
  /** Position in its window. */
  pos: number;
  docId: string;
  /** the stored window (PageWindow.index) the token is in, for features.lossEffect */
  window?: number;
  rect: { left: number; top: number; width: number; height: number; bottom: number };
}
