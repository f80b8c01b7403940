namespace Alpacon.Api.Configuration;

/// <summary>The configuration (token file, environment or arguments) is unusable; the message says what to fix.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
