package dev.swerl.sandbox.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Reads what sandboxes need to know about host programs from their ELF headers. */
public final class ElfFiles {
  private ElfFiles() {}

  /** PT_INTERP of a 64-bit little-endian ELF file, or {@code null} for a static one. */
  public static @Nullable String interpreter(Path elf) throws IOException {
    try (FileChannel channel = FileChannel.open(elf)) {
      ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(header, 0);
      if (header.getInt(0) != 0x464c457f || header.get(4) != 2 || header.get(5) != 1) {
        throw new IOException(elf + " is not a 64-bit little-endian ELF program");
      }
      long phoff = header.getLong(0x20);
      int phentsize = Short.toUnsignedInt(header.getShort(0x36));
      int phnum = Short.toUnsignedInt(header.getShort(0x38));
      ByteBuffer ph = ByteBuffer.allocate(phentsize).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < phnum; i++) {
        ph.clear();
        channel.read(ph, phoff + (long) i * phentsize);
        if (ph.getInt(0) == 3) { // PT_INTERP
          ByteBuffer name = ByteBuffer.allocate((int) ph.getLong(32));
          channel.read(name, ph.getLong(8));
          String text = new String(name.array(), StandardCharsets.US_ASCII);
          int nul = text.indexOf('\0');
          return nul >= 0 ? text.substring(0, nul) : text;
        }
      }
      return null;
    }
  }
}
