"""file.module (KRoC's file descriptors) and a course program reading piped
input with the course library's file.in.* routines, on both backends."""

from __future__ import annotations

import textwrap

from course_support import main_program, run


def file_program(folder, body: str) -> str:
    header = '#INCLUDE "course.module"\n#INCLUDE "file.module"\n'
    return main_program(body.replace("DIR", str(folder)), header=header)


def test_a_file_round_trip(tmp_path, backend):
    program = file_program(
        tmp_path,
        """
        INT fd, n, r:
        [8]BYTE buf:
        SEQ
          file.open3 ("DIR/notes.txt", O.WRONLY \\/ (O.CREAT \\/ O.TRUNC), S.I644, fd)
          out.bool (fd >= 0, 0, screen!)
          file.write (fd, "hello, file*n", n)
          out.int (n, 3, screen!)
          file.close (fd, r)
          out.int (r, 2, screen!)
          file.size ("DIR/notes.txt", n)
          out.int (n, 3, screen!)
          screen ! '*n'
          -- read it back in pieces: a full buffer, the rest, then end of file
          file.open ("DIR/notes.txt", O.RDONLY, fd)
          file.read (fd, buf, n)
          out.int (n, 0, screen!)
          out.string ([buf FOR n], 9, screen!)
          file.read (fd, buf, n)
          out.int (n, 2, screen!)
          out.string ([buf FOR n - 1], 5, screen!)
          file.read (fd, buf, n)
          out.int (n, 2, screen!)
          screen ! '*n'
          -- seek back, read two bytes into a slice
          file.seek (fd, 7, SEEK.SET, r)
          out.int (r, 0, screen!)
          file.read (fd, [buf FROM 3 FOR 2], n)
          out.string ([buf FROM 3 FOR n], 3, screen!)
          file.seek (fd, -3, SEEK.END, r)
          out.int (r, 3, screen!)
          file.close (fd, r)
          out.int (r, 2, screen!)
          screen ! '*n'
          -- append, then the size again
          file.open ("DIR/notes.txt", O.WRONLY \\/ O.APPEND, fd)
          file.write (fd, "more*n", n)
          file.close (fd, r)
          file.size ("DIR/notes.txt", n)
          out.int (n, 0, screen!)
          screen ! '*n'
        """,
    )
    result = run(tmp_path, program, backend)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (
        b"TRUE 12 0 12\n"
        b"8 hello, f 4  ile 0\n"
        b"7 fi  9 0\n"
        b"17\n"
    )
    assert (tmp_path / "notes.txt").read_bytes() == b"hello, file\nmore\n"


def test_failures_are_result_codes(tmp_path, backend):
    (tmp_path / "here.txt").write_bytes(b"x")
    program = file_program(
        tmp_path,
        """
        INT fd, n, r:
        BOOL ok:
        [4]BYTE buf:
        SEQ
          file.open ("DIR/missing.txt", O.RDONLY, fd)
          out.int (fd, 0, screen!)
          file.read (fd, buf, n)
          out.int (n, 3, screen!)
          file.write (fd, "x", n)
          out.int (n, 3, screen!)
          file.close (fd, r)
          out.int (r, 3, screen!)
          file.size ("DIR/missing.txt", n)
          out.int (n, 3, screen!)
          file.check.access ("DIR/missing.txt", F.OK, ok)
          out.bool (ok, 6, screen!)
          file.check.access ("DIR/here.txt", R.OK \\/ W.OK, ok)
          out.bool (ok, 5, screen!)
          file.open3 ("DIR/here.txt", O.WRONLY \\/ (O.CREAT \\/ O.EXCL), S.I644, fd)
          out.int (fd, 3, screen!)
          file.unlink ("DIR/missing.txt", r)
          out.int (r, 3, screen!)
          file.rmdir ("DIR/missing", r)
          out.int (r, 3, screen!)
          file.mkdir ("DIR/sub", S.IRWXU, r)
          out.int (r, 2, screen!)
          file.mkdir ("DIR/sub", S.IRWXU, r)
          out.int (r, 3, screen!)
          file.rmdir ("DIR/sub", r)
          out.int (r, 2, screen!)
          screen ! '*n'
        """,
    )
    result = run(tmp_path, program, backend)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"-1 -1 -1 -1 -1 FALSE TRUE -1 -1 -1 0 -1 0\n"
    assert not (tmp_path / "sub").exists()


# --------------------------------------------------------------------------- a course program


MARKS = textwrap.dedent("""\
    #INCLUDE "course.module"

    VAL INT max.name IS 12:

    PROTOCOL NAME.MARK
      CASE
        entry; INT::[]BYTE; INT
        done
    :

    -- As the course's exercise 6: names and marks from a file piped to the
    -- keyboard, until something that is not a mark.
    PROC read.marks (CHAN BYTE in?, CHAN NAME.MARK out!)
      [max.name]BYTE name:
      INT length, mark:
      INITIAL BOOL ok IS TRUE:
      SEQ
        file.in.token (name, length, max.name, in?)
        WHILE ok AND (length > 0)
          SEQ
            file.in.int (mark, max.name, ok, in?)
            IF
              ok
                SEQ
                  out ! entry; length::name; mark
                  file.in.token (name, length, max.name, in?)
              TRUE
                SKIP
        out ! done
    :

    PROC table (CHAN NAME.MARK in?, CHAN BYTE out!)
      INT count, total:
      INITIAL BOOL going IS TRUE:
      SEQ
        count, total := 0, 0
        WHILE going
          [max.name]BYTE name:
          INT length, mark:
          in ? CASE
            entry; length::name; mark
              SEQ
                out.string ([name FOR length], max.name, out!)
                out.int (mark, 6, out!)
                out.string ("*c*n", 0, out!)
                count, total := count + 1, total + mark
            done
              going := FALSE
        out.string ("mean", max.name, out!)
        out.real32 ((REAL32 ROUND total) / (REAL32 ROUND count), 4, 2, out!)
        out.string ("*c*n", 0, out!)
    :

    PROC marks (CHAN BYTE keyboard?, screen!, error!)
      CHAN NAME.MARK pairs:
      PAR
        read.marks (keyboard?, pairs!)
        table (pairs?, screen!)
    :
    """)


def test_a_course_program_reads_piped_marks(tmp_path, backend):
    data = b"alice 61\n  bob\t-7\ncharlotte 100\nend .\n"
    result = run(tmp_path, MARKS, backend, stdin=data)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == (
        b"       alice    61\r\n"
        b"         bob    -7\r\n"
        b"   charlotte   100\r\n"
        b"        mean   51.33\r\n"
    )
