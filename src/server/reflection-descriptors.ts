// proto-loader's file descriptors (built by protobufjs) name types relatively
// ("google.protobuf.Timestamp", "FlightInfo") and list no dependencies, which grpcurl and other
// strict reflection clients refuse ("cannot resolve type"). This rewrites them as protoc would:
// every type reference fully qualified with a leading dot, and each file depending on the files
// that define what it references.
import descriptor from 'protobufjs/ext/descriptor/index.js';
import type { PackageDefinition } from '@grpc/proto-loader';

/* eslint-disable @typescript-eslint/no-explicit-any -- descriptor objects are untyped protobufjs messages */
type Msg = any;

export function qualifyDescriptors(definition: PackageDefinition): PackageDefinition {
  const files = new Map<string, Msg>();
  for (const entry of Object.values(definition)) {
    for (const bytes of (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos ?? []) {
      const f = descriptor.FileDescriptorProto.decode(bytes) as Msg;
      if (!files.has(f.name)) files.set(f.name, f);
    }
  }
  // protoc names a map field's entry type after the field (session_options: SessionOptionsEntry);
  // protobufjs does not, and strict clients check the name.
  const renameMapEntries = (messages: Msg[] = []) => {
    for (const m of messages) {
      for (const field of m.field ?? []) {
        const entry = (m.nestedType ?? []).find((n: Msg) => n.options?.mapEntry && (field.typeName === n.name || field.typeName?.endsWith(`.${n.name}`)));
        if (!entry) continue;
        const name = `${String(field.name).replace(/_(\w)/g, (_: string, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase())}Entry`;
        field.typeName = String(field.typeName).slice(0, -String(entry.name).length) + name;
        entry.name = name;
      }
      renameMapEntries(m.nestedType);
    }
  };
  for (const f of files.values()) renameMapEntries(f.messageType);

  const owner = new Map<string, string>();
  const register = (file: string, scope: string, messages: Msg[] = [], enums: Msg[] = []) => {
    for (const e of enums) owner.set(`${scope}.${e.name}`, file);
    for (const m of messages) {
      owner.set(`${scope}.${m.name}`, file);
      register(file, `${scope}.${m.name}`, m.nestedType, m.enumType);
    }
  };
  for (const f of files.values()) register(f.name, f.package ? `.${f.package}` : '', f.messageType, f.enumType);

  const resolve = (file: Msg, scope: string, name: string): string => {
    if (name.startsWith('.')) return name;
    // protobuf scoping: innermost scope first, then outward.
    for (let s = scope; ; s = s.slice(0, s.lastIndexOf('.'))) {
      const candidate = `${s}.${name}`;
      if (owner.has(candidate)) {
        const defining = owner.get(candidate)!;
        if (defining !== file.name && !file.dependency.includes(defining)) file.dependency.push(defining);
        return candidate;
      }
      if (s === '') return name;
    }
  };
  for (const f of files.values()) {
    f.dependency = [...(f.dependency ?? [])];
    const pkg = f.package ? `.${f.package}` : '';
    const fixMessages = (scope: string, messages: Msg[] = []) => {
      for (const m of messages) {
        const inner = `${scope}.${m.name}`;
        for (const field of m.field ?? []) if (field.typeName) field.typeName = resolve(f, inner, field.typeName);
        fixMessages(inner, m.nestedType);
      }
    };
    fixMessages(pkg, f.messageType);
    for (const s of f.service ?? []) {
      for (const m of s.method ?? []) {
        m.inputType = resolve(f, pkg, m.inputType);
        m.outputType = resolve(f, pkg, m.outputType);
      }
    }
  }
  const encoded = new Map([...files].map(([name, f]) => [name, Buffer.from(descriptor.FileDescriptorProto.encode(f).finish())]));
  const out: PackageDefinition = {};
  for (const [key, entry] of Object.entries(definition)) {
    const protos = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
    out[key] = protos
      ? ({ ...entry, fileDescriptorProtos: protos.map((b) => encoded.get((descriptor.FileDescriptorProto.decode(b) as Msg).name)!) } as typeof entry)
      : entry;
  }
  return out;
}
