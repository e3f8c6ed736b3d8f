/** One line of `npm run bench`: a measured speed next to the limit it is judged against. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same quantity at the machine's limit (from the matmul rate measured in the same run); 0 if none. */
  limit: number;
  /** value / limit (or limit / value for times, as the entry says in its note). */
  ratio: number;
  note: string;
}
