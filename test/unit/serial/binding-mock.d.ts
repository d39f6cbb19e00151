// @serialport/binding-mock ships types only for its CommonJS entry, which
// NodeNext resolution does not reach from ESM: the part the tests use.
declare module '@serialport/binding-mock' {
  export interface MockPortBinding {
    isOpen: boolean;
    write(buffer: Buffer): Promise<void>;
    emitData(data: Buffer | string): void;
  }
  export const MockBinding: {
    createPort(path: string, opt?: { echo?: boolean; record?: boolean; readyData?: Buffer; maxReadSize?: number }): void;
    reset(): void;
    list(): Promise<unknown[]>;
    open(options: { path: string; baudRate: number; [k: string]: unknown }): Promise<MockPortBinding>;
  };
}
