/**
 * Growable structure-of-arrays storage: one typed array per field, `width` elements per slot. Slots are dense
 * indices handed out by the owner; growth doubles capacity (copying) up to a hard cap, so memory follows use
 * and never exceeds cap × bytesPerSlot.
 */
type Numeric = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;
type NumericClass = Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor | Uint8ArrayConstructor;

export interface FieldSpec {
  type: NumericClass;
  width: number;
}

export type SlabFields<S extends Record<string, FieldSpec>> = { [K in keyof S]: InstanceType<S[K]['type']> };

export class Slabs<S extends Record<string, FieldSpec>, K extends keyof S & string = keyof S & string> {
  capacity: number;
  readonly cap: number;
  readonly fields: SlabFields<S>;
  private readonly specs: S;

  constructor(specs: S, cap: number, initial = 64) {
    this.specs = specs;
    this.cap = cap;
    this.capacity = Math.min(cap, initial);
    this.fields = {} as SlabFields<S>;
    for (const key of Object.keys(specs) as K[]) this.fields[key] = new specs[key].type(this.capacity * specs[key].width) as SlabFields<S>[K];
  }

  /** Bytes one slot takes across all fields. */
  get bytesPerSlot(): number {
    let total = 0;
    for (const key of Object.keys(this.specs) as K[]) total += this.specs[key].width * this.specs[key].type.BYTES_PER_ELEMENT;
    return total;
  }

  get allocatedBytes(): number {
    return this.capacity * this.bytesPerSlot;
  }

  /** Makes room for slot index `slot` (< cap). */
  ensure(slot: number): void {
    if (slot < this.capacity) return;
    let next = this.capacity;
    while (next <= slot) next = Math.min(this.cap, next * 2);
    for (const key of Object.keys(this.specs) as K[]) {
      const grown = new this.specs[key].type(next * this.specs[key].width) as SlabFields<S>[K];
      (grown as Numeric).set(this.fields[key] as never);
      this.fields[key] = grown;
    }
    this.capacity = next;
  }

  /** Zeroes one slot in every field. */
  clear(slot: number): void {
    for (const key of Object.keys(this.specs) as K[]) {
      const w = this.specs[key].width;
      (this.fields[key] as Numeric).fill(0, slot * w, (slot + 1) * w);
    }
  }

  width(key: K): number {
    return this.specs[key].width;
  }
}
