package dev.paved.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code paved} CLI in-process and captures what it prints. */
record Cli(int exit, String out, String err) {

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Cli(code, out.toString(), err.toString());
  }
}
