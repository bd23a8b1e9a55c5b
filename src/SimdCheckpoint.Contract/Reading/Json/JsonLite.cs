using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SimdCheckpoint.Json;

/// <summary>The kinds of JSON value.</summary>
internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>A JSON value with the character span it came from, so every problem can point at its source.</summary>
internal sealed class JsonNode
{
    public JsonNode(JsonKind kind, int start)
    {
        Kind = kind;
        Start = start;
    }

    public JsonKind Kind { get; }

    /// <summary>Offset of the value's first character.</summary>
    public int Start { get; }

    /// <summary>Offset just past the value's last character.</summary>
    public int End { get; set; }

    /// <summary>The decoded text of a string, or the literal text of a number.</summary>
    public string Text { get; set; } = string.Empty;

    /// <summary>An object's members in document order; the key node is a string.</summary>
    public List<KeyValuePair<JsonNode, JsonNode>> Members { get; } = new List<KeyValuePair<JsonNode, JsonNode>>();

    /// <summary>An array's items.</summary>
    public List<JsonNode> Items { get; } = new List<JsonNode>();

    public int Length => End - Start;

    public static string Describe(JsonKind kind) => kind switch
    {
        JsonKind.Object => "an object",
        JsonKind.Array => "an array",
        JsonKind.String => "a string",
        JsonKind.Number => "a number",
        JsonKind.True or JsonKind.False => "a boolean",
        _ => "null",
    };
}

/// <summary>Text that is not JSON (RFC 8259); <see cref="Position"/> is the offending character's offset.</summary>
internal sealed class JsonSyntaxException : Exception
{
    public JsonSyntaxException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    public int Position { get; }
}

/// <summary>
/// A strict RFC 8259 reader producing <see cref="JsonNode"/>s with source spans. It exists because both the source
/// generator (netstandard2.0, loaded into the compiler, where a JSON library would have to ship beside the
/// generator) and the runtime must read network specs identically and point each problem at a line and column.
/// Spec files are small, so the reader favours clarity over speed.
/// </summary>
internal static class JsonLite
{
    /// <summary>Deeper nesting than any spec needs is refused, so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 64;

    public static JsonNode Parse(string text)
    {
        var reader = new Reader(text);
        reader.SkipWhiteSpace();
        JsonNode root = reader.ReadValue(0);
        reader.SkipWhiteSpace();
        if (!reader.AtEnd)
        {
            throw new JsonSyntaxException("Unexpected text after the JSON value.", reader.Position);
        }

        return root;
    }

    /// <summary>Converts a character offset to a one-based line and column.</summary>
    public static void GetLineColumn(string text, int offset, out int line, out int column)
    {
        line = 1;
        column = 1;
        int end = Math.Min(offset, text.Length);
        for (int i = 0; i < end; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
    }

    private sealed class Reader
    {
        private readonly string _text;
        private int _pos;

        public Reader(string text)
        {
            _text = text;
        }

        public int Position => _pos;

        public bool AtEnd => _pos >= _text.Length;

        public void SkipWhiteSpace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (_pos == 0 && c == '\uFEFF'))
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }
        }

        public JsonNode ReadValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new JsonSyntaxException("JSON nested more than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels deep.", _pos);
            }

            if (AtEnd)
            {
                throw new JsonSyntaxException("Unexpected end of the file: a value was expected.", _pos);
            }

            char c = _text[_pos];
            switch (c)
            {
                case '{':
                    return ReadObject(depth);
                case '[':
                    return ReadArray(depth);
                case '"':
                    return ReadString();
                case 't':
                    return ReadLiteral("true", JsonKind.True);
                case 'f':
                    return ReadLiteral("false", JsonKind.False);
                case 'n':
                    return ReadLiteral("null", JsonKind.Null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ReadNumber();
                    }

                    throw new JsonSyntaxException("Unexpected character '" + Printable(c) + "': a value was expected.", _pos);
            }
        }

        private JsonNode ReadObject(int depth)
        {
            var node = new JsonNode(JsonKind.Object, _pos);
            _pos++;
            SkipWhiteSpace();
            if (Peek() == '}')
            {
                _pos++;
                node.End = _pos;
                return node;
            }

            while (true)
            {
                SkipWhiteSpace();
                if (Peek() != '"')
                {
                    throw new JsonSyntaxException("A property name in double quotes was expected.", _pos);
                }

                JsonNode key = ReadString();
                SkipWhiteSpace();
                Expect(':', "':' was expected after the property name.");
                SkipWhiteSpace();
                JsonNode value = ReadValue(depth + 1);
                node.Members.Add(new KeyValuePair<JsonNode, JsonNode>(key, value));
                SkipWhiteSpace();
                char c = Peek();
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == '}')
                {
                    _pos++;
                    node.End = _pos;
                    return node;
                }

                throw new JsonSyntaxException("',' or '}' was expected in the object.", _pos);
            }
        }

        private JsonNode ReadArray(int depth)
        {
            var node = new JsonNode(JsonKind.Array, _pos);
            _pos++;
            SkipWhiteSpace();
            if (Peek() == ']')
            {
                _pos++;
                node.End = _pos;
                return node;
            }

            while (true)
            {
                SkipWhiteSpace();
                node.Items.Add(ReadValue(depth + 1));
                SkipWhiteSpace();
                char c = Peek();
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == ']')
                {
                    _pos++;
                    node.End = _pos;
                    return node;
                }

                throw new JsonSyntaxException("',' or ']' was expected in the array.", _pos);
            }
        }

        private JsonNode ReadString()
        {
            var node = new JsonNode(JsonKind.String, _pos);
            _pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw new JsonSyntaxException("Unterminated string.", node.Start);
                }

                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    break;
                }

                if (c < ' ')
                {
                    throw new JsonSyntaxException("Control character in a string; write it as an escape.", _pos);
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    _pos++;
                    continue;
                }

                _pos++;
                if (AtEnd)
                {
                    throw new JsonSyntaxException("Unterminated string.", node.Start);
                }

                char e = _text[_pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length
                            || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        {
                            throw new JsonSyntaxException("Invalid \\u escape: four hexadecimal digits were expected.", _pos - 2);
                        }

                        sb.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw new JsonSyntaxException("Invalid escape '\\" + Printable(e) + "' in a string.", _pos - 2);
                }
            }

            node.End = _pos;
            node.Text = sb.ToString();
            return node;
        }

        private JsonNode ReadNumber()
        {
            var node = new JsonNode(JsonKind.Number, _pos);
            if (Peek() == '-')
            {
                _pos++;
            }

            if (Peek() == '0')
            {
                _pos++;
            }
            else if (IsDigit(Peek()))
            {
                SkipDigits();
            }
            else
            {
                throw new JsonSyntaxException("A digit was expected in the number.", _pos);
            }

            if (Peek() == '.')
            {
                _pos++;
                if (!IsDigit(Peek()))
                {
                    throw new JsonSyntaxException("A digit was expected after the decimal point.", _pos);
                }

                SkipDigits();
            }

            if (Peek() == 'e' || Peek() == 'E')
            {
                _pos++;
                if (Peek() == '+' || Peek() == '-')
                {
                    _pos++;
                }

                if (!IsDigit(Peek()))
                {
                    throw new JsonSyntaxException("A digit was expected in the exponent.", _pos);
                }

                SkipDigits();
            }

            node.End = _pos;
            node.Text = _text.Substring(node.Start, node.End - node.Start);
            return node;
        }

        private JsonNode ReadLiteral(string literal, JsonKind kind)
        {
            if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            {
                throw new JsonSyntaxException("Unexpected character '" + Printable(_text[_pos]) + "': a value was expected.", _pos);
            }

            var node = new JsonNode(kind, _pos);
            _pos += literal.Length;
            node.End = _pos;
            node.Text = literal;
            return node;
        }

        private void SkipDigits()
        {
            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }

        private void Expect(char c, string message)
        {
            if (Peek() != c)
            {
                throw new JsonSyntaxException(message, _pos);
            }

            _pos++;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private static string Printable(char c) => c < ' ' ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();
    }
}
