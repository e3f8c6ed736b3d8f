/** What the token tooltip shows: the hovered token of an example and where it sits on screen. */
export interface TokenHover {
  token: string;
  act: number;
  /** Position in its window. */
  pos: number;
  docId: string;
  rect: { left: number; top: number; width: number; height: number; bottom: number };
}
