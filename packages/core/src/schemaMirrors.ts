/**
 * A compile-time check that a zod schema mirrors a model type: declare
 * `const check: Mirrors<z.output<typeof schema>, Model> = true;` and the build fails when a field is
 * added, removed, made optional or retyped on one side only. Plain mutual assignability is not
 * enough: it lets an optional field go missing on either side.
 */

/** Every property and list readonly, so that only the shape is compared. */
type Frozen<T> = T extends readonly (infer U)[]
  ? readonly Frozen<U>[]
  : T extends object
    ? { readonly [K in keyof T]: Frozen<T[K]> }
    : T;

/** true when A and B have the same shape: the same keys, optional in the same places, of the same types. */
export type Mirrors<A, B> =
  (<T>() => T extends Frozen<A> ? 1 : 2) extends <T>() => T extends Frozen<B> ? 1 : 2 ? true : false;
